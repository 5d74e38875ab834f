trigger LeadTrigger on Lead(before insert, after insert, before update) {
  LeadTriggerHandler.run(Trigger.operationType, Trigger.new, Trigger.oldMap);
}

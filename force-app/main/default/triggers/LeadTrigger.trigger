trigger LeadTrigger on Lead(before update) {
  LeadTriggerHandler.run(Trigger.operationType, Trigger.new, Trigger.oldMap);
}

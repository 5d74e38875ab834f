import { LightningElement, api } from 'lwc';

/**
 * Preview stand-in for lightning-quick-action-panel (not in the open-source base components): the SLDS
 * modal the platform draws around a screen quick action, with its header, body and footer slot.
 */
export default class QuickActionPanel extends LightningElement {
  @api header;
}

/**
 * Jest stand-in for lightning/actions: the close event of screen quick actions.
 */
export const CloseActionScreenEventName = 'lightning__actionsclosescreen';

export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super(CloseActionScreenEventName, { bubbles: true, composed: true });
  }
}

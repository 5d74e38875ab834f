/** Preview stand-in for lightning/actions: the close event of screen quick actions. */
export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super('lightning__actionsclosescreen', { bubbles: true, composed: true });
  }
}

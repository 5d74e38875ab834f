/** Preview stand-in for lightning/platformShowToastEvent (the page lists the toasts it receives). */
export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super('lightning__showtoast', { bubbles: true, composed: true, cancelable: true, detail: toast });
  }
}

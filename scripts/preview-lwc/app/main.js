// Synthetic shadow first: lightning-base-components and the global SLDS stylesheet need it.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import App from 'preview/app';

const app = createElement('preview-app', { is: App });
document.querySelector('#root').appendChild(app);

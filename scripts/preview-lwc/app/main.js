// Synthetic shadow first: lightning-base-components and the global SLDS stylesheet need it.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import App from 'preview/app';

// The page's entry point, not a component: it owns the document.
// eslint-disable-next-line @lwc/lwc/no-document-query
document.querySelector('#root').appendChild(createElement('preview-app', { is: App }));

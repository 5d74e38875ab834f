import { createElement } from '@lwc/engine-dom';
import ErrorPanel from 'c/errorPanel';

function flushPromises() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function createComponent(props) {
  const element = createElement('c-error-panel', { is: ErrorPanel });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

describe('c-error-panel', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('should show every reduced message when details are shown', () => {
    const element = createComponent({
      errors: [{ body: { message: 'First' } }, { body: [{ message: 'Second' }] }],
      showDetails: true
    });

    const messages = [...element.shadowRoot.querySelectorAll('.error-messages li')].map(
      (li) => li.textContent
    );
    expect(messages).toEqual(['First', 'Second']);
    expect(element.shadowRoot.querySelector('.toggle-details')).toBeNull();
  });

  it('should fold the messages behind a toggle by default', async () => {
    const element = createComponent({ errors: { body: { message: 'Hidden detail' } } });

    expect(element.shadowRoot.querySelector('.error-messages')).toBeNull();
    element.shadowRoot.querySelector('.toggle-details').click();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.error-messages li').textContent).toBe('Hidden detail');
  });

  it('should use the friendly message as heading', () => {
    const element = createComponent({ errors: new Error('Boom'), friendlyMessage: 'Could not load' });

    expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe('Could not load');
  });

  it('should be accessible: announced as an alert with a described icon', () => {
    const element = createComponent({ errors: new Error('Boom'), showDetails: true });

    expect(element.shadowRoot.querySelector('[role="alert"]')).not.toBeNull();
    expect(element.shadowRoot.querySelector('lightning-icon').alternativeText).toBeTruthy();
  });
});

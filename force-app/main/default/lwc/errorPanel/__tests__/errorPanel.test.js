import { createElement } from '@lwc/engine-dom';
import { registerSa11yMatcher } from '@sa11y/jest';
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

function panel(element) {
  return element.shadowRoot.querySelector('.panel');
}

describe('c-error-panel', () => {
  beforeAll(() => {
    registerSa11yMatcher();
  });

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

  it('should fold the messages behind a toggle that reports whether it is expanded', async () => {
    const element = createComponent({ errors: { body: { message: 'Hidden detail' } } });

    expect(element.shadowRoot.querySelector('.error-messages')).toBeNull();
    const toggle = element.shadowRoot.querySelector('button.toggle-details');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent.trim()).toBe('c.LF_Show_Details');
    toggle.click();
    await flushPromises();

    expect(element.shadowRoot.querySelector('.error-messages li').textContent).toBe('Hidden detail');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.textContent.trim()).toBe('c.LF_Hide_Details');
  });

  it('should draw the toggle as text in the panel colour, not as a blue link', () => {
    const element = createComponent({ errors: { body: { message: 'Hidden detail' } } });

    // A lightning-button variant="base" is blue (1.45:1 on the red panel); the native button inherits the
    // panel's white text. The browser test measures the contrast.
    expect(element.shadowRoot.querySelector('lightning-button')).toBeNull();
    expect(element.shadowRoot.querySelector('button.toggle-details').classList).toContain('slds-button');
  });

  it('should use the friendly message as title', () => {
    const element = createComponent({ errors: new Error('Boom'), friendlyMessage: 'Could not load' });

    expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe('Could not load');
  });

  it.each([
    ['error', 'alert', 'slds-theme_error', 'utility:error', 'c.LF_Severity_Error'],
    ['warning', 'status', 'slds-theme_warning', 'utility:warning', 'c.LF_Severity_Warning'],
    ['info', 'status', 'slds-scoped-notification_light', 'utility:info', 'c.LF_Severity_Info']
  ])('should show a %s with role %s, its own colour and icon', (variant, role, theme, icon, severity) => {
    const element = createComponent({ errors: new Error('Boom'), variant, friendlyMessage: 'Title' });

    expect(panel(element).getAttribute('role')).toBe(role);
    expect(panel(element).classList).toContain(theme);
    const severityIcon = element.shadowRoot.querySelector('lightning-icon');
    expect(severityIcon.iconName).toBe(icon);
    expect(severityIcon.alternativeText).toBe(severity);
  });

  it('should be an error for an unknown variant', () => {
    const element = createComponent({ errors: new Error('Boom'), variant: 'fatal' });

    expect(panel(element).classList).toContain('slds-theme_error');
  });

  it('should let screen readers hear the title once: the icon names the severity, not the title', () => {
    const element = createComponent({ errors: new Error('Boom'), friendlyMessage: 'Could not load' });

    const icon = element.shadowRoot.querySelector('lightning-icon');
    expect(icon.alternativeText).not.toBe('Could not load');
    const spoken = [...element.shadowRoot.querySelectorAll('*')].filter(
      (node) => node.children.length === 0 && node.textContent.includes('Could not load')
    );
    expect(spoken).toHaveLength(1);
  });

  it('should show a single message of a warning as its title, without a generic title or a toggle', () => {
    const element = createComponent({
      errors: { body: { message: 'This lead has already been converted.' } },
      variant: 'info'
    });

    expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe(
      'This lead has already been converted.'
    );
    expect(element.shadowRoot.querySelector('.toggle-details')).toBeNull();
    expect(element.shadowRoot.querySelector('.error-messages')).toBeNull();
  });

  it('should keep the generic title for a real error', () => {
    const element = createComponent({ errors: new Error('Boom') });

    expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe('c.LF_Error_Title');
  });

  it.each([
    ['error', false],
    ['warning', true],
    ['info', true]
  ])('should be accessible as %s', async (variant, showDetails) => {
    const element = createComponent({ errors: [new Error('Boom'), new Error('Bang')], variant, showDetails });

    await expect(element).toBeAccessible();
  });
});

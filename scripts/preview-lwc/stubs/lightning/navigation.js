/** Preview stand-in for lightning/navigation: records the page reference on window.__previewNavigation. */
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      window.__previewNavigation = pageReference;
    }
    [GenerateUrl](pageReference) {
      return Promise.resolve(`#/${pageReference.attributes.recordId}`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

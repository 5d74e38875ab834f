/**
 * Jest stand-in for lightning/navigation: records the last navigation so tests can assert on it.
 */
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

let navigatePageReference;
let navigateReplace;
let generatePageReference;

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const NavigationMixin = (Base) => {
  return class extends Base {
    [Navigate](pageReference, replace) {
      navigatePageReference = pageReference;
      navigateReplace = replace;
    }

    [GenerateUrl](pageReference) {
      generatePageReference = pageReference;
      return Promise.resolve('https://www.example.com');
    }
  };
};
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export const getNavigateCalledWith = () => ({
  pageReference: navigatePageReference,
  replace: navigateReplace
});

export const getGenerateUrlCalledWith = () => ({
  pageReference: generatePageReference
});

export const resetNavigation = () => {
  navigatePageReference = undefined;
  navigateReplace = undefined;
  generatePageReference = undefined;
};

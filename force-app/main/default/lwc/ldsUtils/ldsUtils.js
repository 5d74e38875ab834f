/**
 * Reduces one or more LDS, Apex or JavaScript errors into a flat list of messages for display.
 * @param {FetchResponse|FetchResponse[]|Error|Error[]} errors
 * @return {String[]} the error messages, without duplicates or blanks
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  const messages = list
    .filter((error) => !!error)
    .map((error) => {
      // UI API read errors
      if (Array.isArray(error.body)) {
        return error.body.map((e) => e.message);
      }
      // Page level errors (UI API DML)
      if (error.body && Array.isArray(error.body.pageErrors) && error.body.pageErrors.length > 0) {
        return error.body.pageErrors.map((e) => e.message);
      }
      // Field level errors (UI API DML)
      if (error.body && error.body.output && error.body.output.fieldErrors) {
        const fieldErrors = Object.values(error.body.output.fieldErrors).flat();
        if (fieldErrors.length > 0) {
          return fieldErrors.map((e) => e.message);
        }
      }
      if (error.body && error.body.output && Array.isArray(error.body.output.errors)) {
        const outputErrors = error.body.output.errors;
        if (outputErrors.length > 0) {
          return outputErrors.map((e) => e.message);
        }
      }
      // Apex (AuraHandledException) and network errors
      if (error.body && typeof error.body.message === 'string') {
        return error.body.message;
      }
      // JavaScript errors
      if (typeof error.message === 'string') {
        return error.message;
      }
      return error.statusText;
    })
    .flat()
    .filter((message) => typeof message === 'string' && message.trim() !== '');
  return [...new Set(messages)];
}

/**
 * Replaces {0}, {1}... in a custom label with the given values.
 * @param {String} label
 * @param {...*} values
 * @return {String}
 */
export function formatLabel(label, ...values) {
  return String(label).replace(/\{(\d+)\}/g, (match, index) => {
    const value = values[Number(index)];
    return value === undefined || value === null ? '' : String(value);
  });
}

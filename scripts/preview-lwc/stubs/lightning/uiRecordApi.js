/** Preview stand-in for lightning/uiRecordApi: getRecord answers from the scenario table. */
import { ldsAdapter } from '../registry';

export const getRecord = ldsAdapter('uiRecordApi.getRecord');

function fieldPath(field) {
  return typeof field === 'string' ? field.split('.').slice(1) : field.fieldApiName.split('.');
}

export function getFieldValue(record, field) {
  let current = record;
  for (const name of fieldPath(field)) {
    const entry = current && current.fields ? current.fields[name] : undefined;
    if (entry === undefined || entry === null) {
      return undefined;
    }
    current = entry.value;
  }
  return current;
}

export function getFieldDisplayValue(record, field) {
  const entry = record && record.fields ? record.fields[fieldPath(field)[0]] : undefined;
  return entry ? entry.displayValue : undefined;
}

/** Nothing is cached in the preview, so there is nothing to refresh. */
export function notifyRecordUpdateAvailable() {
  return Promise.resolve();
}

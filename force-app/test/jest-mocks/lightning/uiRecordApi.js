/**
 * Jest stand-in for lightning/uiRecordApi: getRecord is an LDS test wire adapter; getFieldValue reads
 * record.fields like the real one, for field references imported from @salesforce/schema.
 */
import { createLdsTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const getRecord = createLdsTestWireAdapter(jest.fn());
export const getRecords = createLdsTestWireAdapter(jest.fn());

function fieldPath(field) {
  if (typeof field === 'string') {
    return field.split('.').slice(1);
  }
  return field.fieldApiName.split('.');
}

export const getFieldValue = jest.fn((record, field) => {
  if (!record) {
    return undefined;
  }
  let current = record;
  for (const name of fieldPath(field)) {
    const entry = current && current.fields ? current.fields[name] : undefined;
    if (entry === undefined || entry === null) {
      return undefined;
    }
    current = entry.value;
  }
  return current;
});

export const getFieldDisplayValue = jest.fn((record, field) => {
  const name = fieldPath(field)[0];
  const entry = record && record.fields ? record.fields[name] : undefined;
  return entry ? entry.displayValue : undefined;
});

export const notifyRecordUpdateAvailable = jest.fn(() => Promise.resolve());
export const updateRecord = jest.fn(() => Promise.resolve({}));
export const createRecord = jest.fn(() => Promise.resolve({}));
export const deleteRecord = jest.fn(() => Promise.resolve());

/**
 * Preview stand-in for the server: every Apex method and LDS adapter answers from the scenario table
 * (scenarios.js), keyed by the record id the component asks for. Each rendered state uses its own
 * record id, so one page can show the same component in all of its states side by side.
 */
import { SCENARIOS } from './scenarios';

/** What a method answers for a record (or scope): { data }, { error }, { pending: true } or a function of the params. */
function lookup(method, params) {
  const byRecord = SCENARIOS[method] || {};
  // Methods without a record id are keyed by their scope, or answer the same everywhere ('*').
  const recordId = params && (params.recordId || params.leadId || params.scope);
  const answer = byRecord[recordId] ?? byRecord['*'];
  if (answer === undefined) {
    return { error: { body: { message: `Preview: no ${method} answer for ${recordId}` } } };
  }
  return typeof answer === 'function' ? answer(params) : answer;
}

function settle(answer) {
  if (answer.pending) {
    // Never settles: shows the component's loading or busy state.
    return new Promise(() => {});
  }
  if (answer.error) {
    return Promise.reject(answer.error);
  }
  return Promise.resolve(answer.data);
}

/** Calls made by the components, so the browser test can assert what was sent. */
window.__previewCalls = window.__previewCalls || [];

/** An imperative Apex method that can also be wired (callable adapter, as on the platform). */
export function apexMethod(method) {
  const call = (params) => {
    window.__previewCalls.push({ method, params });
    return settle(lookup(method, params));
  };
  call.adapter = class {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
    }
    connect() {}
    disconnect() {}
    update(config) {
      window.__previewCalls.push({ method, params: config });
      const answer = lookup(method, config);
      if (answer.pending) {
        return;
      }
      this.dataCallback(
        answer.error ? { data: undefined, error: answer.error } : { data: answer.data, error: undefined }
      );
    }
  };
  return call;
}

/** An LDS-style wire adapter (getRecord) answering from the same table. */
export function ldsAdapter(method) {
  return apexMethod(method).adapter;
}

/** Minimal typings for formulon (the package ships none). */
declare module 'formulon' {
  export interface FormulonLiteral {
    type: 'literal';
    value: unknown;
    dataType: string;
    options?: Record<string, unknown>;
  }
  export interface FormulonError {
    type: 'error';
    errorType: string;
    message: string;
    [key: string]: unknown;
  }
  export function parse(formula: string, variables?: Record<string, FormulonLiteral>): FormulonLiteral | FormulonError;
  export function extract(formula: string): string[];
}

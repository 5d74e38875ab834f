/**
 * Number/currency/percent range checks the way Salesforce makes them: a field of precision P and
 * scale S holds at most P - S digits left of the decimal point, whatever the magnitude of the input.
 * Digits are counted from the decimal value (the input text, or the shortest round-trip form of a
 * JSON number), never from Number#toString(), which prints 1e300 as '1e+300' (4 "digits").
 */

const DECIMAL_RE = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Digits left of the decimal point of a decimal literal ('1e300' -> 301, '00012.5' -> 2, '0.004' -> 0).
 * Leading zeros do not count. Returns null when the text is not a decimal literal.
 */
export function integerDigits(literal: string): number | null {
  const m = DECIMAL_RE.exec(literal.trim());
  if (!m) return null;
  const intPart = m[1] ?? '';
  const fracPart = m[2] ?? '';
  if (intPart === '' && fracPart === '') return null;
  const exponent = m[3] === undefined ? 0 : Number(m[3]);
  if (!Number.isFinite(exponent)) return null;
  const digits = `${intPart}${fracPart}`.replace(/^0+/, '');
  if (digits === '') return 0;
  // Position of the decimal point relative to the first significant digit.
  const leadingZeros = `${intPart}${fracPart}`.length - digits.length;
  const pointAt = intPart.length + exponent - leadingZeros;
  return Math.max(0, pointAt);
}

/** Digits left of the decimal point of a finite JS number, from its shortest round-trip decimal form. */
export function integerDigitsOfNumber(value: number): number {
  return integerDigits(Math.abs(value).toExponential()) ?? 0;
}

/**
 * The value as Java's Double.toString prints it, which is how Salesforce echoes a number in
 * NUMBER_OUTSIDE_VALID_RANGE messages ('100.0', '1.0E18', '1.0E300'): plain between 10^-3 and
 * 10^7, computerized scientific notation otherwise.
 */
export function javaDoubleString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const [mantissa = '0', exp = '0'] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exp);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return `${sign}${digits.charAt(0)}.${digits.slice(1) || '0'}E${exponent}`;
}

/** Largest count of digits left of the decimal point for a field of this precision and scale. */
export function maxIntegerDigits(field: { type: string; precision: number; scale: number }): number {
  // Standard int fields describe their size as digits (precision here) with scale 0.
  const precision = field.precision > 0 ? field.precision : 18;
  return Math.max(0, precision - field.scale);
}

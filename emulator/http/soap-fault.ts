/** A SOAP 1.1 fault in the Partner API's shape (jsforce reads faultcode/faultstring; INVALID_SESSION_ID triggers its refresh). */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function soapFaultXml(exceptionCode: string, message: string): string {
  const code = escapeXml(exceptionCode);
  const text = escapeXml(message);
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>' +
    `<faultcode>sf:${code}</faultcode><faultstring>${code}: ${text}</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">` +
    `<sf:exceptionCode>${code}</sf:exceptionCode><sf:exceptionMessage>${text}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

/**
 * The metadata types the local org accepts in a deploy, as the Metadata API's describeMetadata names them
 * (xmlName, directoryName, suffix, metaFile, inFolder, childXmlNames). A file in a zip directory that is not
 * listed here fails the deploy with a message naming the directory, rather than being dropped silently.
 */
export interface MetadataTypeInfo {
  xmlName: string;
  directoryName: string;
  /** File suffix without the dot; null for bundles (a folder per component). */
  suffix: string | null;
  /** Content file plus a <name>.<suffix>-meta.xml companion (classes, triggers, static resources). */
  metaFile: boolean;
  /** Components live in folders (reports/<Folder>/<Name>.report). */
  inFolder: boolean;
  childXmlNames: string[];
  /** How the local org uses it (docs and the deploy result). */
  behaviour: 'applied' | 'stored';
}

const t = (
  xmlName: string,
  directoryName: string,
  suffix: string | null,
  opts: Partial<Pick<MetadataTypeInfo, 'metaFile' | 'inFolder' | 'childXmlNames' | 'behaviour'>> = {}
): MetadataTypeInfo => ({
  xmlName,
  directoryName,
  suffix,
  metaFile: opts.metaFile ?? false,
  inFolder: opts.inFolder ?? false,
  childXmlNames: opts.childXmlNames ?? [],
  behaviour: opts.behaviour ?? 'stored'
});

export const METADATA_TYPES: readonly MetadataTypeInfo[] = [
  t('ApexClass', 'classes', 'cls', { metaFile: true }),
  t('ApexTrigger', 'triggers', 'trigger', { metaFile: true }),
  t('ApexPage', 'pages', 'page', { metaFile: true }),
  t('LightningComponentBundle', 'lwc', null),
  t('AuraDefinitionBundle', 'aura', null),
  t('CustomObject', 'objects', 'object', {
    childXmlNames: ['CustomField', 'ValidationRule', 'ListView', 'RecordType', 'WebLink', 'FieldSet', 'CompactLayout', 'BusinessProcess'],
    behaviour: 'applied'
  }),
  t('CustomMetadata', 'customMetadata', 'md', { behaviour: 'applied' }),
  t('PermissionSet', 'permissionsets', 'permissionset', { behaviour: 'applied' }),
  t('Layout', 'layouts', 'layout'),
  t('FlexiPage', 'flexipages', 'flexipage'),
  t('QuickAction', 'quickActions', 'quickAction'),
  t('CustomLabels', 'labels', 'labels', { childXmlNames: ['CustomLabel'] }),
  t('StaticResource', 'staticresources', 'resource', { metaFile: true }),
  t('ReportType', 'reportTypes', 'reportType'),
  t('Report', 'reports', 'report', { inFolder: true }),
  t('Dashboard', 'dashboards', 'dashboard', { inFolder: true }),
  t('CustomTab', 'tabs', 'tab'),
  t('CustomApplication', 'applications', 'app'),
  t('GlobalValueSet', 'globalValueSets', 'globalValueSet'),
  t('CustomPermission', 'customPermissions', 'customPermission'),
  t('PermissionSetGroup', 'permissionsetgroups', 'permissionsetgroup'),
  t('Flow', 'flows', 'flow'),
  t('RemoteSiteSetting', 'remoteSiteSettings', 'remoteSite'),
  t('NamedCredential', 'namedCredentials', 'namedCredential')
];

/** Child types stored inside their parent's file in metadata format (objects/Lead.object holds its fields). */
export const CHILD_TYPES: Readonly<Record<string, { parent: string; element: string }>> = {
  CustomField: { parent: 'CustomObject', element: 'fields' },
  ValidationRule: { parent: 'CustomObject', element: 'validationRules' },
  CustomLabel: { parent: 'CustomLabels', element: 'labels' }
};

/** Folder types of the inFolder types (reports/<Folder>-meta.xml is a ReportFolder). */
export const FOLDER_TYPES: Readonly<Record<string, string>> = { Report: 'ReportFolder', Dashboard: 'DashboardFolder' };

export function typeByDirectory(directory: string): MetadataTypeInfo | undefined {
  return METADATA_TYPES.find((x) => x.directoryName === directory);
}

export function typeByName(xmlName: string): MetadataTypeInfo | undefined {
  return METADATA_TYPES.find((x) => x.xmlName.toLowerCase() === xmlName.toLowerCase());
}

/** Types the retrieve and listMetadata calls know (top-level types, their children and folder types). */
export function isKnownType(xmlName: string): boolean {
  return Boolean(typeByName(xmlName)) || xmlName in CHILD_TYPES || Object.values(FOLDER_TYPES).includes(xmlName);
}

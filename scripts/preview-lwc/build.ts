/**
 * Builds the LWC preview: every component in force-app compiled by the real LWC compiler (rollup +
 * @lwc/rollup-plugin), with Salesforce's open-source lightning-base-components for lightning-* and SLDS for
 * styles. Apex methods and LDS adapters are stubbed from the jest mock data (scripts/preview-lwc/stubs),
 * custom labels come from the package's CustomLabels file, so the page shows the text reps see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rollup, type Plugin } from 'rollup';
import lwc from '@lwc/rollup-plugin';

import { ROOT, SLDS_ASSETS } from './paths';

const LWC_DIR = path.join(ROOT, 'force-app/main/default/lwc');
const LABELS_FILE = path.join(ROOT, 'force-app/main/default/labels/CustomLabels.labels-meta.xml');
const HERE = __dirname;
const LWC_RUNTIME = path.join(ROOT, 'node_modules/lwc/node_modules/@lwc');

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Custom label values by full name, read from the package (so a label the code imports must exist). */
export function readLabels(file = LABELS_FILE): Map<string, string> {
  const xml = fs.readFileSync(file, 'utf8');
  const labels = new Map<string, string>();
  for (const match of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const body = match[1] ?? '';
    const name = /<fullName>([\s\S]*?)<\/fullName>/.exec(body)?.[1];
    const value = /<value>([\s\S]*?)<\/value>/.exec(body)?.[1];
    if (name && value !== undefined) {
      labels.set(name, decodeXml(value));
    }
  }
  return labels;
}

/**
 * Resolves the platform-only module specifiers: @salesforce/apex (stubbed methods), @salesforce/label
 * (real values; an unknown label fails the build like a deploy would), @salesforce/schema (field references).
 */
function salesforceModules(labels: Map<string, string>): Plugin {
  const PREFIX = '\0sf:';
  const registry = path.join(HERE, 'stubs/registry.js');
  return {
    name: 'leadflow-salesforce-modules',
    resolveId(source) {
      // Only the package's own labels (c.*): the base components bring theirs (LightningControl.*).
      if (source === '@salesforce/apex') {
        return PREFIX + source;
      }
      if (/^@salesforce\/(apex|schema)\//.test(source) || source.startsWith('@salesforce/label/c.')) {
        return PREFIX + source;
      }
      return null;
    },
    load(id) {
      if (id.endsWith('.json') && !id.startsWith('\0')) {
        return `export default ${fs.readFileSync(id, 'utf8')};`;
      }
      if (!id.startsWith(PREFIX)) {
        return null;
      }
      const source = id.slice(PREFIX.length);
      if (source === '@salesforce/apex') {
        // The answers never change in the preview, so a refresh has nothing to fetch.
        return 'export function refreshApex() { return Promise.resolve(); }';
      }
      const [, kind, rest = ''] = /^@salesforce\/(apex|label|schema)\/(.*)$/.exec(source) ?? [];
      if (kind === 'apex') {
        return `import { apexMethod } from ${JSON.stringify(registry)};\nexport default apexMethod(${JSON.stringify(rest)});`;
      }
      if (kind === 'label') {
        const name = rest.replace(/^c\./, '');
        const value = labels.get(name);
        if (value === undefined) {
          this.error(
            `Custom label ${name} is imported but not defined in ${path.relative(ROOT, LABELS_FILE)}`
          );
        }
        return `export default ${JSON.stringify(value)};`;
      }
      const [objectApiName, ...fieldPath] = rest.split('.');
      const reference = fieldPath.length
        ? { objectApiName, fieldApiName: fieldPath.join('.') }
        : { objectApiName };
      return `export default ${JSON.stringify(reference)};`;
    }
  };
}

/**
 * Build-time constants the platform's bundler provides: process.env.NODE_ENV (the LWC engine's dev-mode
 * checks) and import.meta.env.SSR (the base components skip browser-only work under SSR).
 */
function buildConstants(): Plugin {
  return {
    name: 'leadflow-build-constants',
    transform(code) {
      if (!code.includes('process.env.NODE_ENV') && !code.includes('import.meta.env')) {
        return null;
      }
      const replaced = code
        .replace(/process\.env\.NODE_ENV/g, JSON.stringify('development'))
        .replace(/import\.meta\.env\.SSR/g, 'false');
      return { code: replaced, map: null };
    }
  };
}

export function componentNames(): string[] {
  return fs
    .readdirSync(LWC_DIR, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && fs.existsSync(path.join(LWC_DIR, entry.name, `${entry.name}.js`))
    )
    .map((entry) => entry.name);
}

/**
 * The base components' inlined icon libraries the preview does not need (right-to-left, and categories the
 * package does not use), swapped for an empty one: the utility and standard libraries are kept, as on the
 * platform, so an icon name that does not exist renders blank here too.
 */
const UNUSED_ICON_TEMPLATE_MODULES = [
  'lightning/iconSvgTemplates',
  'lightning/iconSvgTemplatesRtl',
  'lightning/iconSvgTemplatesUtilityRtl',
  'lightning/iconSvgTemplatesStandardRtl',
  ...['Action', 'Doctype', 'Custom'].flatMap((category) => [
    `lightning/iconSvgTemplates${category}`,
    `lightning/iconSvgTemplates${category}Rtl`
  ])
];

export interface PreviewBuild {
  outDir: string;
  components: string[];
}

/** Writes index.html, app.js and the SLDS stylesheet into outDir (icons are served from SLDS_ASSETS). */
export async function buildPreview(outDir: string): Promise<PreviewBuild> {
  const labels = readLabels();
  const components = componentNames();
  const stub = (name: string) => path.join(HERE, 'stubs/lightning', name);
  const bundle = await rollup({
    input: path.join(HERE, 'app/main.js'),
    plugins: [
      salesforceModules(labels),
      buildConstants(),
      lwc({
        // Mock data JSON is turned into modules by salesforceModules(), not compiled as a component file.
        exclude: ['**/*.json'],
        rootDir: path.join(HERE, 'app'),
        // lightning-datatable renders its cells with lwc:component, which the platform allows for base components.
        enableDynamicComponents: true,
        // lightning-base-combobox attaches ElementInternals; under synthetic shadow (as on the platform) the
        // component must be compiled with the synthetic element internals enabled.
        enableSyntheticElementInternals: true,
        // The engine that matches the compiler (lwc 9); the top-level @lwc/engine-dom is sfdx-lwc-jest's 8.x.
        defaultModules: [
          { name: 'lwc', path: path.join(LWC_RUNTIME, 'engine-dom/dist/index.js') },
          { name: '@lwc/synthetic-shadow', path: path.join(LWC_RUNTIME, 'synthetic-shadow/dist/index.js') },
          { name: '@lwc/wire-service', path: path.join(LWC_RUNTIME, 'wire-service/dist/index.js') }
        ],
        modules: [
          // Platform modules the open-source base components do not provide (or provide differently).
          { name: 'lightning/uiRecordApi', path: stub('uiRecordApi.js') },
          { name: 'lightning/navigation', path: stub('navigation.js') },
          { name: 'lightning/platformShowToastEvent', path: stub('platformShowToastEvent.js') },
          { name: 'lightning/actions', path: stub('actions.js') },
          { name: 'lightning/quickActionPanel', path: stub('quickActionPanel/quickActionPanel.js') },
          ...UNUSED_ICON_TEMPLATE_MODULES.map((name) => ({ name, path: stub('iconSvgTemplatesNone.js') })),
          ...components.map((name) => ({ name: `c/${name}`, path: path.join(LWC_DIR, name, `${name}.js`) })),
          { dir: path.join(HERE, 'app') },
          { npm: 'lightning-base-components' }
        ]
      })
    ],
    onwarn(warning, warn) {
      // Circular imports and template warnings inside lightning-base-components are theirs, not ours.
      const inBaseComponents = (warning.id ?? warning.loc?.file ?? '').includes('lightning-base-components');
      if (
        warning.code === 'CIRCULAR_DEPENDENCY' ||
        warning.code === 'THIS_IS_UNDEFINED' ||
        inBaseComponents
      ) {
        return;
      }
      warn(warning);
    }
  });
  fs.mkdirSync(outDir, { recursive: true });
  await bundle.write({
    file: path.join(outDir, 'app.js'),
    format: 'iife',
    name: 'leadflowPreview',
    inlineDynamicImports: true
  });
  await bundle.close();
  fs.copyFileSync(
    path.join(SLDS_ASSETS, 'styles/salesforce-lightning-design-system.min.css'),
    path.join(outDir, 'slds.css')
  );
  fs.copyFileSync(path.join(HERE, 'app/index.html'), path.join(outDir, 'index.html'));
  return { outDir, components };
}

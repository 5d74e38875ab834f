/**
 * After `sf project deploy start` reps must see "Convert Qualified Lead" in the lead highlights panel (issue 16:
 * no layout shipped with it). The Leadflow record page's highlights panel takes its actions from the page layout
 * (enableActionsConfiguration false), so the layout's Lightning actions must list the quick action.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

// Parsed metadata XML is untyped; the assertions below check the shape that matters.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Xml = Record<string, any>;

const PACKAGE = path.resolve(__dirname, '../../force-app/main/default');
const parse = (file: string) =>
  new XMLParser({ parseTagValue: false }).parse(readFileSync(path.join(PACKAGE, file), 'utf8')) as Xml;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('Lead page layout', () => {
  const layout = parse('layouts/Lead-Leadflow Lead Layout.layout-meta.xml').Layout;

  it('should put Convert Qualified Lead first among the Lightning actions', () => {
    const actions = asArray(
      layout.platformActionList.platformActionListItems as Array<Record<string, string>>
    ).sort((a, b) => Number(a.sortOrder) - Number(b.sortOrder));
    expect(layout.platformActionList.actionListContext).toBe('Record');
    expect(actions[0]).toMatchObject({
      actionName: 'Lead.Convert_Qualified_Lead',
      actionType: 'QuickAction'
    });
  });

  it('should not offer the standard Convert button next to it', () => {
    const names = asArray(
      layout.platformActionList.platformActionListItems as Array<Record<string, string>>
    ).map((a) => a.actionName);
    expect(names).not.toContain('Convert');
  });

  it('should show the qualification inputs editable and the computed verdict read-only', () => {
    const items = asArray(layout.layoutSections as Array<Xml>).flatMap((s) =>
      asArray(s.layoutColumns as Array<Xml>).flatMap((c) =>
        asArray(c.layoutItems as Array<Record<string, string>>)
      )
    );
    const behavior = new Map(items.map((i) => [i.field, i.behavior]));
    expect(behavior.get('Budget_Confirmed__c')).toBe('Edit');
    expect(behavior.get('Need_Identified__c')).toBe('Edit');
    expect(behavior.get('Qualification_Status__c')).toBe('Readonly');
    expect(behavior.get('Missing_Criteria__c')).toBe('Readonly');
    expect(behavior.get('Total_Score__c')).toBe('Readonly');
  });

  it('should be what the record page highlights panel shows actions from', () => {
    const page = parse('flexipages/Lead_Record_Page.flexipage-meta.xml').FlexiPage;
    const header = asArray(page.flexiPageRegions as Array<Xml>).find((r) => r.name === 'header');
    const panel = asArray(header?.itemInstances as Array<Xml>)
      .map((i) => i.componentInstance)
      .find((c) => c.componentName === 'force:highlightsPanel');
    const props = new Map(
      asArray(panel?.componentInstanceProperties as Array<Record<string, string>>).map((p) => [
        p.name,
        p.value
      ])
    );
    expect(props.get('enableActionsConfiguration')).toBe('false');
  });

  it('should point the quick action at the convertLead component', () => {
    const action = parse('quickActions/Lead.Convert_Qualified_Lead.quickAction-meta.xml').QuickAction;
    expect(action).toMatchObject({
      type: 'LightningWebComponent',
      lightningWebComponent: 'convertLead',
      actionSubtype: 'ScreenAction'
    });
  });
});

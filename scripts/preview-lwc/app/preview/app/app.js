import { LightningElement } from 'lwc';
import { STATES } from '../../../stubs/scenarios';

/** One section per component state; the browser test screenshots each section by its data-state. */
export default class App extends LightningElement {
  states = STATES.map((state) => ({
    ...state,
    headingId: `heading-${state.id}`,
    recordId: state.id,
    isConvertLead: state.component === 'convertLead',
    isLeadQualification: state.component === 'leadQualification',
    isStageTimeline: state.component === 'stageTimeline',
    isSalHandoff: state.component === 'salHandoff',
    isSalHandoffList: state.component === 'salHandoffList',
    isErrorPanel: state.component === 'errorPanel'
  }));
}

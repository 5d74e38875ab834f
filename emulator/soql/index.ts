export { createQueryEngine, effectiveBatchSize, DEFAULT_BATCH_SIZE, type QueryEngineDeps } from './engine';
export { dateLiteralRange } from './dateLiterals';
export { toId18 } from './ids';

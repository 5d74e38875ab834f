/**
 * sObject Tree (`POST /composite/tree/{sObject}`): creates record trees in one all-or-nothing call.
 * This is what `sf data import tree` sends. Shapes follow Salesforce's docs (resources_composite_sobject_tree,
 * requests_/responses_composite_sobject_tree):
 *   request  {records:[{attributes:{type,referenceId}, Field: value, ChildRelationship:{records:[...]}}]}
 *   success  201 {hasErrors:false, results:[{referenceId,id}]}
 *   failure  400 {hasErrors:true, results:[{referenceId, errors:[{statusCode,message,fields}]}]} (only the
 *            records that caused the failure; nothing is saved)
 * Limits: 200 records across all trees, 5 distinct types, trees 5 levels deep. Records are created level by
 * level and, within a level, type by type (as Salesforce fires triggers per level and type); a child's lookup
 * to its parent is filled from the parent's new id.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChildRelationshipDef, OrgContext, SfError, SObjectDef, SObjectRecord } from '../core/types';
import { badRequest } from '../http/errors';
import { callerUserId } from '../http/request-scope';
import { apiVersionOf, assertKnownFields, DATA_PREFIX, objectOrThrow, resource } from './shared';

export const MAX_TREE_RECORDS = 200;
export const MAX_TREE_TYPES = 5;
export const MAX_TREE_DEPTH = 5;

/** referenceId: starts with a letter or digit, then letters, digits and underscores (case-sensitive). */
const REFERENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

/** One record of the request, flattened out of its tree. */
interface TreeNode {
  referenceId: string;
  object: SObjectDef;
  /** Field values only (no attributes, no child relationship keys). */
  fields: SObjectRecord;
  depth: number;
  parent: { node: TreeNode; relationship: ChildRelationshipDef } | null;
  id: string | null;
}

interface TreeFailure {
  referenceId: string;
  errors: SfError[];
}

class TreeRollback extends Error {
  constructor(readonly failures: TreeFailure[]) {
    super('sObject tree rolled back');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inputError(message: string): never {
  throw badRequest('INVALID_INPUT', message);
}

function childRelationshipOf(object: SObjectDef, key: string): ChildRelationshipDef | undefined {
  const lower = key.toLowerCase();
  return object.childRelationships.find((rel) => rel.relationshipName?.toLowerCase() === lower);
}

/** Walks the request trees depth-first into nodes; shape and limit errors are top-level 400s. */
function flatten(ctx: OrgContext, root: SObjectDef, body: unknown): TreeNode[] {
  if (!isPlainObject(body) || !Array.isArray(body.records)) {
    throw badRequest('JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  }
  const nodes: TreeNode[] = [];
  const visit = (
    raw: unknown,
    expected: SObjectDef,
    depth: number,
    parent: TreeNode['parent'],
    where: string
  ): void => {
    if (!isPlainObject(raw)) inputError(`${where} must be a JSON object`);
    const attributes = raw.attributes;
    if (!isPlainObject(attributes) || typeof attributes.type !== 'string' || attributes.type === '') {
      inputError(`${where}: attributes.type is required`);
    }
    if (typeof attributes.referenceId !== 'string' || attributes.referenceId === '') {
      inputError(`${where}: attributes.referenceId is required`);
    }
    const object = ctx.schema.get(attributes.type);
    if (!object || object.name !== expected.name) {
      inputError(
        parent
          ? `${where}: type ${attributes.type} does not match the child relationship ${parent.relationship.relationshipName ?? ''}, which holds ${expected.name} records`
          : `${where}: the root records of /composite/tree/${expected.name} must have type ${expected.name}, not ${attributes.type}`
      );
    }
    if (depth > MAX_TREE_DEPTH) inputError(`sObject trees can be at most ${MAX_TREE_DEPTH} levels deep`);
    const node: TreeNode = {
      referenceId: attributes.referenceId,
      object,
      fields: {},
      depth,
      parent,
      id: null
    };
    nodes.push(node);
    if (nodes.length > MAX_TREE_RECORDS) {
      throw badRequest(
        'LIMIT_EXCEEDED',
        `An sObject Tree request can contain at most ${MAX_TREE_RECORDS} records across all trees`
      );
    }
    const children: Array<[ChildRelationshipDef, unknown[]]> = [];
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'attributes') continue;
      const relationship = isPlainObject(value) ? childRelationshipOf(object, key) : undefined;
      if (relationship && isPlainObject(value) && Array.isArray(value.records)) {
        children.push([relationship, value.records]);
        continue;
      }
      node.fields[key] = value;
    }
    // Unknown fields fail the whole call the way other REST writes do (sf data import tree reads this message).
    assertKnownFields(object, node.fields);
    for (const [relationship, records] of children) {
      const childObject = ctx.schema.get(relationship.childSObject);
      if (!childObject) continue;
      records.forEach((child, index) =>
        visit(
          child,
          childObject,
          depth + 1,
          { node, relationship },
          `${where}.${relationship.relationshipName ?? ''}.records[${index}]`
        )
      );
    }
  };
  body.records.forEach((record, index) => visit(record, root, 1, null, `records[${index}]`));
  if (nodes.length === 0) inputError('The request must contain at least one record');
  const types = new Set(nodes.map((node) => node.object.name));
  if (types.size > MAX_TREE_TYPES) {
    inputError(
      `An sObject Tree request can contain records of at most ${MAX_TREE_TYPES} types, got ${types.size}`
    );
  }
  return nodes;
}

/** Per-record input problems (reference ids) reported in the tree's error body, like Salesforce does. */
function referenceIdFailures(nodes: TreeNode[]): TreeFailure[] {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.referenceId, (counts.get(node.referenceId) ?? 0) + 1);
  const failures: TreeFailure[] = [];
  for (const node of nodes) {
    if ((counts.get(node.referenceId) ?? 0) > 1) {
      failures.push({
        referenceId: node.referenceId,
        errors: [
          {
            statusCode: 'INVALID_INPUT',
            message: 'Duplicate ReferenceId provided in the request',
            fields: []
          }
        ]
      });
    } else if (!REFERENCE_ID.test(node.referenceId)) {
      failures.push({
        referenceId: node.referenceId,
        errors: [
          {
            statusCode: 'INVALID_INPUT',
            message:
              'referenceId must start with a letter or digit and contain only letters, digits and underscores',
            fields: []
          }
        ]
      });
    }
  }
  return failures;
}

/** Insertion batches: level by level, then type by type in order of first appearance. */
function batches(nodes: TreeNode[]): TreeNode[][] {
  const out: TreeNode[][] = [];
  const maxDepth = Math.max(...nodes.map((node) => node.depth));
  for (let depth = 1; depth <= maxDepth; depth++) {
    const byType = new Map<string, TreeNode[]>();
    for (const node of nodes) {
      if (node.depth !== depth) continue;
      const list = byType.get(node.object.name) ?? [];
      list.push(node);
      byType.set(node.object.name, list);
    }
    out.push(...byType.values());
  }
  return out;
}

async function saveTree(ctx: OrgContext, nodes: TreeNode[], userId: string): Promise<TreeNode[]> {
  const order: TreeNode[] = [];
  await ctx.records.transaction(async () => {
    for (const batch of batches(nodes)) {
      const records = batch.map((node) => {
        const fields = { ...node.fields };
        if (node.parent) {
          // The child's lookup points at the parent created a level earlier (a value in the body is replaced).
          for (const key of Object.keys(fields)) {
            if (key.toLowerCase() === node.parent.relationship.field.toLowerCase()) delete fields[key];
          }
          fields[node.parent.relationship.field] = node.parent.node.id;
        }
        return fields;
      });
      const type = (batch[0] as TreeNode).object.name;
      const results = await ctx.records.insert(type, records, { allOrNone: true, userId });
      const failures: TreeFailure[] = [];
      results.forEach((result, index) => {
        const node = batch[index] as TreeNode;
        if (result.success && result.id) {
          node.id = result.id;
          return;
        }
        // Only the records that caused the failure are reported, not the ones rolled back with them.
        const own = result.errors.filter((error) => error.statusCode !== 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
        if (own.length > 0) failures.push({ referenceId: node.referenceId, errors: own });
      });
      if (failures.length > 0) throw new TreeRollback(failures);
      order.push(...batch);
    }
  });
  return order;
}

function failureBody(failures: TreeFailure[]) {
  return {
    hasErrors: true,
    results: failures.map((failure) => ({
      referenceId: failure.referenceId,
      errors: failure.errors.map((error) => ({
        statusCode: error.statusCode,
        message: error.message,
        fields: error.fields ?? []
      }))
    }))
  };
}

export function registerTreeRoutes(app: FastifyInstance, ctx: OrgContext): void {
  resource(app, `${DATA_PREFIX}/composite/tree/:type`, {
    POST: async (request: FastifyRequest, reply) => {
      apiVersionOf(request);
      const root = objectOrThrow(ctx, (request.params as { type: string }).type);
      const nodes = flatten(ctx, root, request.body);
      const inputFailures = referenceIdFailures(nodes);
      if (inputFailures.length > 0) return reply.code(400).send(failureBody(inputFailures));
      try {
        const created = await saveTree(ctx, nodes, callerUserId(request) ?? ctx.defaultUserId);
        return reply.code(201).send({
          hasErrors: false,
          results: created.map((node) => ({ referenceId: node.referenceId, id: node.id }))
        });
      } catch (error) {
        if (error instanceof TreeRollback) return reply.code(400).send(failureBody(error.failures));
        throw error;
      }
    }
  });
}

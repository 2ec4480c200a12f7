import {
  type Action,
  type Def,
  type Message,
  type Model,
  type ObjectDef,
  type Property,
  structureOf,
  type TypeRef,
} from './model.js';
import type { VersionConfig } from './versions.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON schema nodes are untyped input
type Schema = Record<string, any>;

/** Keywords the generator understands; anything else fails generation rather than being ignored. */
const KNOWN_KEYWORDS = new Set([
  '$schema',
  '$id',
  'id',
  '$comment',
  'comment',
  'title',
  'description',
  'javaType',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'additionalItems',
  'minItems',
  'maxItems',
  'enum',
  'maxLength',
  'minLength',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'default',
  'definitions',
  '$ref',
  'pattern',
]);

/** Thrown when the schemas cannot be turned into a model; the message names file and pointer. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function cleanDescription(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.replace(/\r\n?/g, '\n').trim();
  return t === '' ? undefined : t;
}

/** Accumulates defs across files and fails when two copies of one name differ in structure. */
class DefTable {
  readonly defs = new Map<string, Def>();

  /** @param dir the schema folder, as messages name it: `specs/ocpp2.0.1/`. */
  constructor(private readonly dir: string) {}

  add(def: Def): void {
    const existing = this.defs.get(def.name);
    if (existing === undefined) {
      this.defs.set(def.name, def);
      return;
    }
    if (structureOf(existing) !== structureOf(def)) {
      throw new SchemaError(
        `two different definitions named ${def.name}: ${this.dir}${existing.source.file}#${existing.source.pointer} and ${this.dir}${def.source.file}#${def.source.pointer} (every copy of a shared definition must have the same structure: edit them all)`,
      );
    }
  }
}

interface FileContext {
  readonly file: string;
  /** The file as messages name it: `specs/ocpp2.0.1/BootNotificationRequest.json`. */
  readonly path: string;
  readonly message: string;
  readonly root: Schema;
  readonly config: VersionConfig;
  readonly table: DefTable;
}

function checkKeywords(node: Schema, where: string): void {
  for (const key of Object.keys(node)) {
    if (!KNOWN_KEYWORDS.has(key)) throw new SchemaError(`unsupported keyword "${key}" at ${where}`);
  }
}

function numberOr(node: Schema, key: string, where: string): number | undefined {
  const v = node[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new SchemaError(`"${key}" must be a number at ${where}`);
  return v;
}

/** Picks the name of an inline enum or object: the version's naming table, else a derived name. */
function inlineName(ctx: FileContext, path: string, fallback: string): string {
  const names = ctx.config.inlineNames;
  const qualified = names[`${ctx.message}:${path}`];
  if (qualified !== undefined) return qualified;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const hit = names[parts.slice(i).join('.')];
    if (hit !== undefined) return hit;
  }
  return fallback;
}

function readType(ctx: FileContext, node: Schema, pointer: string, path: string): TypeRef {
  const where = `${ctx.path}#${pointer}`;
  if (node === null || typeof node !== 'object')
    throw new SchemaError(`schema expected at ${where}`);
  checkKeywords(node, where);
  if (typeof node.$ref === 'string') return { kind: 'ref', name: readRef(ctx, node.$ref, where) };
  if (node.enum !== undefined) {
    const name = inlineName(
      ctx,
      path,
      `${ctx.message}${pascal(path.split('.').pop()!.replace('[]', ''))}`,
    );
    ctx.table.add(readEnum(node, name, { file: ctx.file, pointer }, where));
    return { kind: 'ref', name };
  }
  switch (node.type) {
    case 'object': {
      const prop = path.split('.').pop()!.replace('[]', '');
      const name = inlineName(ctx, path, pascal(prop));
      ctx.table.add(readObject(ctx, node, name, pointer, path));
      return { kind: 'ref', name };
    }
    case 'array': {
      if (node.items === undefined || Array.isArray(node.items)) {
        throw new SchemaError(`array without a single "items" schema at ${where}`);
      }
      return {
        kind: 'array',
        items: readType(ctx, node.items, `${pointer}/items`, `${path}[]`),
        ...(node.minItems !== undefined && { minItems: numberOr(node, 'minItems', where)! }),
        ...(node.maxItems !== undefined && { maxItems: numberOr(node, 'maxItems', where)! }),
      };
    }
    case 'string': {
      if (node.format !== undefined && node.format !== 'date-time' && node.format !== 'uri') {
        throw new SchemaError(`unsupported format "${node.format}" at ${where}`);
      }
      return {
        kind: 'string',
        ...(node.maxLength !== undefined && { maxLength: numberOr(node, 'maxLength', where)! }),
        ...(node.minLength !== undefined && { minLength: numberOr(node, 'minLength', where)! }),
        ...(node.format !== undefined && { format: node.format as 'date-time' | 'uri' }),
        ...(typeof node.pattern === 'string' && { pattern: node.pattern }),
      };
    }
    case 'number':
    case 'integer':
      return {
        kind: node.type,
        ...(node.minimum !== undefined && { minimum: numberOr(node, 'minimum', where)! }),
        ...(node.maximum !== undefined && { maximum: numberOr(node, 'maximum', where)! }),
        ...(node.exclusiveMinimum !== undefined && {
          exclusiveMinimum: numberOr(node, 'exclusiveMinimum', where)!,
        }),
        ...(node.exclusiveMaximum !== undefined && {
          exclusiveMaximum: numberOr(node, 'exclusiveMaximum', where)!,
        }),
        ...(node.multipleOf !== undefined && { multipleOf: numberOr(node, 'multipleOf', where)! }),
      };
    case 'boolean':
      return { kind: 'boolean' };
    case undefined:
      if (node.properties === undefined && node.items === undefined) return { kind: 'any' };
      throw new SchemaError(`schema without "type" at ${where}`);
    default:
      throw new SchemaError(`unsupported type ${JSON.stringify(node.type)} at ${where}`);
  }
}

function readEnum(
  node: Schema,
  name: string,
  source: { file: string; pointer: string },
  where: string,
): Def {
  if (node.type !== undefined && node.type !== 'string')
    throw new SchemaError(`non-string enum at ${where}`);
  if (!Array.isArray(node.enum) || node.enum.some((v: unknown) => typeof v !== 'string')) {
    throw new SchemaError(`enum must list strings at ${where}`);
  }
  const description = cleanDescription(node.description);
  return {
    kind: 'enum',
    name,
    values: node.enum,
    source,
    ...(description !== undefined && { description }),
  };
}

function readObject(
  ctx: FileContext,
  node: Schema,
  name: string,
  pointer: string,
  path: string,
): ObjectDef {
  const where = `${ctx.path}#${pointer}`;
  checkKeywords(node, where);
  if (node.type !== 'object') throw new SchemaError(`object expected at ${where}`);
  const ap = node.additionalProperties;
  if (ap !== undefined && typeof ap !== 'boolean') {
    throw new SchemaError(`additionalProperties must be a boolean at ${where}`);
  }
  const required: string[] = node.required ?? [];
  const props: Schema = node.properties ?? {};
  for (const r of required) {
    if (!Object.hasOwn(props, r))
      throw new SchemaError(`required property "${r}" is not defined at ${where}`);
  }
  const properties: Property[] = Object.keys(props).map((key) => {
    const child: Schema = props[key];
    const type = readType(
      ctx,
      child,
      `${pointer}/properties/${key}`,
      path === '' ? key : `${path}.${key}`,
    );
    const description = cleanDescription(child.description) ?? contextualDescription(ctx, child);
    return {
      name: key,
      type,
      required: required.includes(key),
      ...(description !== undefined && { description }),
      ...(child.default !== undefined && { default: child.default }),
    };
  });
  const description = cleanDescription(node.description);
  return {
    kind: 'object',
    name,
    properties,
    closed: ap === false,
    source: { file: ctx.file, pointer },
    ...(description !== undefined && { description }),
  };
}

/** The description this file gives the definition a property refers to (2.x puts it there). */
function contextualDescription(ctx: FileContext, node: Schema): string | undefined {
  const target = typeof node.$ref === 'string' ? node.$ref : node.items?.$ref;
  if (typeof target !== 'string') return undefined;
  const name = target.slice('#/definitions/'.length);
  return cleanDescription(ctx.root.definitions?.[name]?.description);
}

function readRef(ctx: FileContext, ref: string, where: string): string {
  const m = /^#\/definitions\/([A-Za-z0-9_]+)$/.exec(ref);
  if (m === null) throw new SchemaError(`unsupported $ref "${ref}" at ${where}`);
  const name = m[1]!;
  const node: Schema | undefined = ctx.root.definitions?.[name];
  if (node === undefined) throw new SchemaError(`$ref to missing definition "${name}" at ${where}`);
  if (!ctx.table.defs.has(name) || ctx.table.defs.get(name)!.source.file !== ctx.file) {
    const pointer = `/definitions/${name}`;
    if (node.enum !== undefined)
      ctx.table.add(readEnum(node, name, { file: ctx.file, pointer }, `${ctx.path}#${pointer}`));
    else ctx.table.add(readObject(ctx, node, name, pointer, name));
  }
  return name;
}

/**
 * Builds the model of one version from its (errata-patched) schema files. A failure is a
 * {@link SchemaError} whose message starts with the version and names the file (`ocpp2.0.1:
 * specs/ocpp2.0.1/XRequest.json#/properties/x: ...`) or the direction table to edit.
 */
export function buildModel(config: VersionConfig, files: ReadonlyMap<string, Schema>): Model {
  try {
    return build(config, files);
  } catch (e) {
    if (e instanceof SchemaError && !e.message.startsWith(`${config.id}: `))
      throw new SchemaError(`${config.id}: ${e.message}`);
    throw e;
  }
}

function build(config: VersionConfig, files: ReadonlyMap<string, Schema>): Model {
  const dir = `specs/${config.id}/`;
  const table = new DefTable(dir);
  const messages: Message[] = [];
  for (const file of [...files.keys()].sort()) {
    const id = config.identify(file);
    if (id === undefined)
      throw new SchemaError(
        `${dir}${file}: file name does not name an OCPP ${config.version} message`,
      );
    const root = files.get(file)!;
    const ctx: FileContext = {
      file,
      path: `${dir}${file}`,
      message: id.message,
      root,
      config,
      table,
    };
    checkKeywords(root, `${ctx.path}#`);
    table.add(readObject(ctx, root, id.message, '', ''));
    messages.push({ name: id.message, action: id.action, part: id.part, file });
  }

  const byAction = new Map<string, { request?: string; response?: string; file: string }>();
  for (const m of messages) {
    const entry = byAction.get(m.action) ?? { file: m.file };
    entry[m.part] = m.name;
    byAction.set(m.action, entry);
  }
  const actions: Action[] = [];
  for (const name of [...byAction.keys()].sort()) {
    const { request, response, file } = byAction.get(name)!;
    const kind = config.sendActions.includes(name) ? 'SEND' : 'CALL';
    if (request === undefined)
      throw new SchemaError(`action ${name}: ${dir}${file} has no request schema beside it`);
    if (kind === 'CALL' && response === undefined)
      throw new SchemaError(`action ${name}: ${dir}${file} has no response schema beside it`);
    if (kind === 'SEND' && response !== undefined)
      throw new SchemaError(`SEND action ${name}: ${dir}${file} has a response schema`);
    const direction = config.directionOf(name);
    if (direction === undefined) {
      throw new SchemaError(
        `action ${name} (${dir}${file}) has no direction: add it to the ${config.id} direction table (${config.directionTable})`,
      );
    }
    actions.push({ name, direction, kind, request, ...(response !== undefined && { response }) });
  }
  for (const listed of config.listedActions()) {
    if (!byAction.has(listed))
      throw new SchemaError(
        `action ${listed} is in the ${config.id} direction table (${config.directionTable}) but ${dir} has no schema for it`,
      );
  }
  return { defs: table.defs, messages, actions };
}

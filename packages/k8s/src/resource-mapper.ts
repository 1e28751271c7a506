// Resource type arguments as kubectl reads them. k8s.io/apimachinery's schema.ParseResourceArg and
// ParseKindArg split `name`, `name.group` and `name.version.group` (the first dot ends the name, so a
// group may hold dots); the RESTMapper kubectl builds from discovery matches the name against each
// type's plural and singular name (lower-cased first) and then its kind, and its short-name expander
// (restmapper's shortcutExpander) reads the name as a short name only when no plural or singular in
// scope is spelled so. `name.version.group` is tried before `name.group`, as kubectl's mappingFor does.
//
// Two choices differ from kubectl, because a filter is a set where kubectl's argument picks one type:
// a name that types of several groups answer to (`events`: core and events.k8s.io) maps to all of
// them, where kubectl's PriorityRESTMapper takes the first group of discovery; and any case is
// accepted, in the group too, where kubectl lower-cases only the resource name; and an empty group
// after a dot is the core group (`pods.v1.`, MeshSync's name for the type), where kubectl reads it as
// any group.

/** What a resource type answers to, as discovery describes it. */
export interface MappedType {
  group: string;
  version: string;
  /** The plural, e.g. "deployments". */
  resource: string;
  kind: string;
  /** Discovery's singularName; "" or absent reads as the lower-cased kind, as the RESTMapper has it. */
  singularName?: string | undefined;
  shortNames?: readonly string[] | undefined;
}

export interface ResourceMatch<T> {
  /** Every type the argument names; empty when it names none. */
  readonly types: readonly T[];
  /** The argument named a version (`deployments.v1.apps`): only objects of that version are meant. */
  readonly versioned: boolean;
}

function add<T>(index: Map<string, T[]>, name: string, type: T): void {
  const types = index.get(name);
  if (types === undefined) index.set(name, [type]);
  else if (!types.includes(type)) types.push(type);
}

const nothing: ResourceMatch<never> = { types: [], versioned: false };

/** Maps kubectl's resource and kind arguments onto the resource types a cluster serves. */
export class ResourceMapper<T extends MappedType> {
  /** Plural, singular and kind, lower-cased. */
  private readonly byName = new Map<string, T[]>();
  private readonly byShortName = new Map<string, T[]>();

  constructor(readonly types: readonly T[]) {
    for (const type of types) {
      add(this.byName, type.resource.toLowerCase(), type);
      add(this.byName, (type.singularName || type.kind).toLowerCase(), type);
      add(this.byName, type.kind.toLowerCase(), type);
      for (const shortName of type.shortNames ?? []) add(this.byShortName, shortName.toLowerCase(), type);
    }
  }

  /** The types `argument` names: `pods`, `pod`, `Pod`, `po`, `deploy.apps`, `deployments.v1.apps`, `Deployment.apps`. */
  resolve(argument: string): ResourceMatch<T> {
    const name = argument.toLowerCase();
    const first = name.indexOf(".");
    if (first < 0)
      return this.found(
        this.lookup(name, () => true),
        false,
      );
    const second = name.indexOf(".", first + 1);
    if (second >= 0) {
      const version = name.slice(first + 1, second);
      const group = name.slice(second + 1);
      const types = this.lookup(name.slice(0, first), (t) => t.group === group && t.version === version);
      if (types.length > 0) return this.found(types, true);
    }
    const group = name.slice(first + 1);
    return this.found(
      this.lookup(name.slice(0, first), (t) => t.group === group),
      false,
    );
  }

  /** What a type may be called, for suggestions: kind, plural, short names, and `plural.group` outside the core group. */
  names(): string[] {
    const names = new Set<string>();
    for (const type of this.types) {
      names.add(type.kind);
      names.add(type.resource);
      for (const shortName of type.shortNames ?? []) names.add(shortName);
      if (type.group !== "") names.add(`${type.resource}.${type.group}`);
    }
    return [...names];
  }

  private lookup(name: string, inScope: (type: T) => boolean): T[] {
    const named = (this.byName.get(name) ?? []).filter(inScope);
    if (named.length > 0) return named;
    return (this.byShortName.get(name) ?? []).filter(inScope);
  }

  private found(types: T[], versioned: boolean): ResourceMatch<T> {
    return types.length === 0 ? nothing : { types, versioned };
  }
}

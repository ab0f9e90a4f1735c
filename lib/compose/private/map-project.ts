import { DiagnosticSeverity } from '../compose-diagnostic';
import { ComposeSource } from './compose-source';
import { Findings } from './findings';
import { FileContext } from './map-env';
import { MappedService, mapService } from './map-service';
import { Call, ComposePlan, PlanRule, WorkloadPlan } from './plan';
import { TOP_LEVEL_KEYS } from './service-keys';
import { dnsLabel, identifier } from './units';

type Json = Record<string, unknown>;

function objectAt(top: Json, key: string): Json {
  const v = top[key];
  return v && typeof v === 'object' ? v as Json : {};
}

/** Top-level keys, and the options of top-level volumes and networks that have no equivalent. */
function reportTopLevel(f: Findings, top: Json): void {
  for (const key of Object.keys(top)) {
    const support = TOP_LEVEL_KEYS[key];
    if (key.startsWith('x-')) f.info([key], 'is an extension: ignored.');
    else if (support?.status === 'ignored') f.info([key], `is ignored: ${support.why}.`);
    else if (support?.status === 'unsupported') f.warn([key], `is not supported: ${support.why}.`);
  }
  for (const [name, def] of Object.entries(objectAt(top, 'volumes'))) {
    for (const key of Object.keys((def ?? {}) as Json).filter(k => ['external', 'driver', 'driver_opts'].includes(k))) {
      f.warn(['volumes', name, key], key === 'external'
        ? 'is not mapped: an existing volume is not adopted, each pod gets a new claim from the cluster\'s StorageClass.'
        : 'is not mapped: volume claims use the cluster\'s StorageClass (`storageClassName` in the generated code).');
    }
  }
  for (const [name, def] of Object.entries(objectAt(top, 'networks'))) {
    for (const key of Object.keys((def ?? {}) as Json).filter(k => !['name', 'labels'].includes(k) && !k.startsWith('x-'))) {
      f.warn(['networks', name, key], 'is not mapped: pods share the cluster network; only which services share a network is kept (as NetworkRules).');
    }
  }
}

/** Construct ids (DNS labels) and variables, unique. */
function names(f: Findings, services: string[]): Map<string, { id: string; variable: string }> {
  const out = new Map<string, { id: string; variable: string }>();
  const ids = new Map<string, string>();
  const variables = new Set<string>();
  for (const s of services) {
    const id = dnsLabel(s);
    if (ids.has(id)) f.error(['services', s], `is named like "${ids.get(id)}" once made a Kubernetes name (${id}): rename one of them.`);
    ids.set(id, s);
    let variable = identifier(s);
    for (let n = 2; variables.has(variable); n++) variable = `${identifier(s)}${n}`;
    variables.add(variable);
    out.set(s, { id, variable });
  }
  return out;
}

/** Two services may not publish the same host port (Compose refuses to start them). */
function checkPublishedPorts(f: Findings, mapped: readonly MappedService[]): void {
  const seen = new Map<string, string>();
  for (const s of mapped) {
    for (const p of s.ports.filter(x => x.published !== undefined)) {
      const key = `${p.published}/${p.protocol}`;
      const owner = seen.get(key);
      if (owner !== undefined && owner !== s.name) f.error(p.path, `publishes port ${key}, which service "${owner}" publishes too: give each service its own published port.`);
      if (owner === undefined) seen.set(key, s.name);
    }
  }
}

/** A named volume mounted by two services is shared in Compose; here each pod gets its own claim. */
function checkSharedVolumes(f: Findings, mapped: readonly MappedService[]): void {
  const owners = new Map<string, string>();
  for (const s of mapped) {
    for (const volume of s.volumeNames) {
      const owner = owners.get(volume);
      if (owner !== undefined && owner !== s.name) {
        f.warn(['services', s.name, 'volumes'], `mount the volume "${volume}" that "${owner}" mounts too: each pod gets its own claim, so the data is not shared. `
          + 'Let one service own the data and the other call it, or use a shared file system (ReadWriteMany).');
      }
      owners.set(volume, owner ?? s.name);
    }
  }
}

/**
 * Who may call whom. Services that share a network may call each other (Compose's rule). When every service
 * shares one with every other, the workloads keep their default callers (the namespace); otherwise a service
 * with ports admits only the services it shares a network with (Callers.only() + NetworkRules).
 */
function callRules(f: Findings, mapped: readonly MappedService[]): PlanRule[] {
  const shares = (a: MappedService, b: MappedService) => a.networks.some(n => b.networks.includes(n));
  const byName = new Map(mapped.map(s => [s.name, s]));
  for (const s of mapped) {
    for (const c of s.calls) {
      const target = byName.get(c.service);
      if (target && !shares(s, target)) f.warn(c.path, `"${c.service}" shares no network with "${s.name}", so it cannot be called: attach both to one network.`);
    }
  }
  const rules: PlanRule[] = [];
  for (const to of mapped.filter(s => s.ports.length > 0)) {
    const others = mapped.filter(s => s !== to);
    const peers = others.filter(s => shares(s, to));
    if (peers.length === others.length) continue;
    to.props.callers = new Call('Callers.only', []);
    for (const from of peers) rules.push({ from: from.name, to: to.name });
  }
  return rules;
}

/** The keys of a service that were not mapped (warnings), for a comment in the generated code. */
function notMapped(f: Findings, service: string): string[] {
  const prefix = `services.${service}.`;
  const keys = [...new Set(f.list.filter(d => d.severity === DiagnosticSeverity.WARNING && d.key.startsWith(prefix)).map(d => d.key.slice(prefix.length)))];
  if (!keys.length) return [];
  const lines = ['not mapped (see the import\'s warnings):'];
  for (const key of keys) {
    if (lines[lines.length - 1].length + key.length > 100) lines.push('');
    lines[lines.length - 1] += `${lines[lines.length - 1] ? ' ' : ''}${key}`;
  }
  return lines;
}

/** The whole Compose file (interpolated, schema-valid) → a plan. */
export function mapProject(source: ComposeSource, f: Findings, ctx: FileContext, top: Json): ComposePlan {
  reportTopLevel(f, top);
  const services = objectAt(top, 'services');
  const ids = names(f, Object.keys(services));
  const called = new Set<string>();
  for (const [name, spec] of Object.entries(services)) {
    const s = (spec ?? {}) as Json;
    const deps = Array.isArray(s.depends_on) ? s.depends_on.map(String) : Object.keys(s.depends_on ?? {});
    const links = Array.isArray(s.links) ? s.links.map(l => String(l).split(':')[0]) : [];
    for (const d of [...deps, ...links]) {
      if (!(d in services)) f.error(['services', name, deps.includes(d) ? 'depends_on' : 'links'], `names "${d}", which is not a service of this file.`);
      called.add(d);
    }
  }
  const mapped = Object.entries(services).flatMap(([name, spec]) =>
    mapService(ctx, name, ids.get(name)!.id, (spec ?? {}) as Json, top, called.has(name)) ?? []);
  checkPublishedPorts(f, mapped);
  checkSharedVolumes(f, mapped);
  const rules = callRules(f, mapped).filter(r => mapped.some(m => m.name === r.from));
  const workloads: WorkloadPlan[] = mapped.map(s => ({
    service: s.name, id: s.id, variable: ids.get(s.name)!.variable, kind: s.kind, props: s.props, notes: notMapped(f, s.name),
  }));
  return { file: source.file, workloads, rules, diagnostics: f.list };
}

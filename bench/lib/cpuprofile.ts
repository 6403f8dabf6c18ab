/**
 * Summarise a V8 CPU profile (`node --cpu-prof` writes one as JSON) into the functions that took
 * the most time: self time (samples in the function itself) and total time (samples with the
 * function anywhere on the stack), each as a share of the busy samples (all but `(idle)`, the
 * time the process waited for the network or for the other rows to be measured).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** One function's share of the samples. */
export interface ProfileEntry {
  /** `name (file:line)`, with files under the repository shown relative to it. */
  readonly where: string;
  readonly selfPercent: number;
  readonly totalPercent: number;
}

/** The frame's file relative to `root`, or '' for native code. */
function frameFile(node: ProfileNode, root: string): string {
  const { url } = node.callFrame;
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  const file = frameFile(node, root);
  return file === '' ? name : `${name} (${file}:${lineNumber + 1})`;
}

/** What a profile's busy time went to. */
export interface ProfileSummary {
  /** Samples that were not `(idle)`. */
  readonly busySamples: number;
  /** The functions with most self time, most first. */
  readonly top: readonly ProfileEntry[];
  /** Self time per script file (native code without a file under its own name), most first. */
  readonly files: readonly { readonly file: string; readonly selfPercent: number }[];
}

const IDLE = '(idle)';

/** The `count` functions with most self time in the profile at `file`; paths shown relative to `root`. */
export function summariseProfile(file: string, root: string, count: number): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const perFile = new Map<string, number>();
  for (const sample of profile.samples) {
    const leaf = byId.get(sample);
    if (leaf === undefined) continue;
    const leafName = frameName(leaf, root);
    self.set(leafName, (self.get(leafName) ?? 0) + 1);
    if (leafName !== IDLE) {
      const file = frameFile(leaf, root) || `(native) ${leafName}`;
      perFile.set(file, (perFile.get(file) ?? 0) + 1);
    }
    const onStack = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parentOf.get(id)) {
      onStack.add(frameName(byId.get(id)!, root));
    }
    for (const name of onStack) total.set(name, (total.get(name) ?? 0) + 1);
  }
  const busySamples = profile.samples.length - (self.get(IDLE) ?? 0);
  const top = [...self.entries()]
    .filter(([where]) => where !== IDLE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, hits]) => ({
      where,
      selfPercent: (100 * hits) / busySamples,
      totalPercent: (100 * (total.get(where) ?? hits)) / busySamples,
    }));
  const files = [...perFile.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([file, hits]) => ({ file, selfPercent: (100 * hits) / busySamples }));
  return { busySamples, top, files };
}

/**
 * OPA's graph.reachable and graph.reachable_paths over a graph given as an
 * object from node to its neighbours (an array or set; anything else counts
 * as no neighbours). Nodes missing from the graph are not reached.
 */
import { RObject, RSet, type Value } from '../value.js';
import { operandError, registerBuiltins } from './registry.js';

function vertices(collection: Value | undefined): Value[] {
  if (Array.isArray(collection)) return collection;
  if (collection instanceof RSet) return collection.values();
  return [];
}

function initialNodes(v: Value): Value[] {
  if (Array.isArray(v) || v instanceof RSet) return vertices(v);
  throw operandError(2, 'one of {array, set}', v);
}

function reachable(graph: RObject, initial: Value): RSet {
  const queue = initialNodes(initial);
  const reached = new RSet();
  // Breadth-first; a node counts as reached only if it is in the graph.
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const edges = graph.get(node);
    if (edges === undefined) continue;
    for (const next of vertices(edges)) if (!reached.has(next)) queue.push(next);
    reached.add(node);
  }
  return reached;
}

/**
 * Adds to `out` every path from `node` on, stopping at dead ends, missing
 * nodes and nodes already visited. As in OPA, the visited set is shared by
 * all branches that start from one neighbour of an initial node, so a node
 * reached along one branch ends the paths of later branches.
 */
function collectPaths(graph: RObject, node: Value, path: Value[], seen: RSet, out: RSet): void {
  const edges = graph.get(node);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, node];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  seen.add(node);
  for (const n of next) {
    if (seen.has(n)) out.add(here);
    else collectPaths(graph, n, here, seen, out);
  }
}

function reachablePaths(graph: RObject, initial: Value): RSet {
  const out = new RSet();
  for (const node of initialNodes(initial)) {
    const edges = graph.get(node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) out.add([node]);
    for (const n of next) collectPaths(graph, n, [node], new RSet([node]), out);
  }
  return out;
}

registerBuiltins([
  { name: 'graph.reachable', walks: true, args: ['object', ['array', 'set']], result: 'set', impl: ([g, i]) => reachable(g as RObject, i!) },
  { name: 'graph.reachable_paths', walks: true, args: ['object', ['array', 'set']], result: 'set', impl: ([g, i]) => reachablePaths(g as RObject, i!) },
]);

/**
 * Delegation chains drawn as a tree: each chain reads from the original subject (a user) down
 * to the acting agent; chains that share a start share branches. A nested list with
 * role="tree" semantics left out on purpose: plain nested lists read well in every screen
 * reader and need no keyboard script.
 */
import type { ChainLink } from '../types';

interface Node {
  label: string;
  children: Map<string, Node>;
  count: number;
}

export function buildTree(chains: ChainLink[][]): Node {
  const root: Node = { label: '', children: new Map(), count: 0 };
  for (const chain of chains) {
    let node = root;
    node.count += 1;
    for (const link of chain) {
      const label = link.sub;
      let child = node.children.get(label);
      if (!child) {
        child = { label, children: new Map(), count: 0 };
        node.children.set(label, child);
      }
      child.count += 1;
      node = child;
    }
  }
  return root;
}

function Branch({ node, highlight }: { node: Node; highlight?: string }) {
  return (
    <ul>
      {[...node.children.values()].map((child) => (
        <li key={child.label}>
          <span className={child.label === highlight ? 'tree-node tree-self' : 'tree-node'}>
            {child.label}
            {child.count > 1 && <span className="muted"> ({child.count} uses)</span>}
          </span>
          {child.children.size > 0 && <Branch node={child} highlight={highlight} />}
        </li>
      ))}
    </ul>
  );
}

export function DelegationTree({ chains, highlight, label }: { chains: ChainLink[][]; highlight?: string; label: string }) {
  const delegated = chains.filter((c) => c.length > 1);
  if (delegated.length === 0) return <p className="muted">No delegation chains seen.</p>;
  return (
    <div className="tree" aria-label={label} role="group">
      <Branch node={buildTree(delegated)} highlight={highlight} />
    </div>
  );
}

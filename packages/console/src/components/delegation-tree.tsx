/**
 * Delegation chains drawn as a tree: the original subject (a user, or the agent whose own
 * token began the chain) at the top, each delegated token below the token it was exchanged
 * from. Nested lists: every screen reader reads them as a hierarchy, with no script needed.
 */
import type { DelegationLink } from '../types';

interface Node {
  link: DelegationLink;
  children: Node[];
}

/** Trees by root subject: a link whose parent is not among the links is a top of its root. */
export function buildForest(links: DelegationLink[]): Map<string, Node[]> {
  const nodes = new Map(links.map((link) => [link.jti, { link, children: [] as Node[] }]));
  const forest = new Map<string, Node[]>();
  for (const node of nodes.values()) {
    const parent = node.link.parent_jti ? nodes.get(node.link.parent_jti) : undefined;
    if (parent) parent.children.push(node);
    else {
      const root = node.link.root.sub;
      forest.set(root, [...(forest.get(root) ?? []), node]);
    }
  }
  return forest;
}

function Branch({ nodes, highlight }: { nodes: Node[]; highlight?: string }) {
  return (
    <ul>
      {nodes.map(({ link, children }) => (
        <li key={link.jti}>
          <span className={link.agent_id === highlight ? 'tree-node tree-self' : 'tree-node'}>
            <strong>{link.agent_id}</strong> <span className="muted">depth {link.depth}</span> · <code>{link.scopes.join(' ') || 'no scope'}</code>
            <span className="muted">
              {' '}
              · chain {link.chain_id} · until {new Date(link.expires_at).toLocaleTimeString()}
            </span>
          </span>
          {children.length > 0 && <Branch nodes={children} highlight={highlight} />}
        </li>
      ))}
    </ul>
  );
}

export function DelegationTree({ links, highlight, label }: { links: DelegationLink[]; highlight?: string; label: string }) {
  if (links.length === 0) return <p className="muted">No live delegation chains.</p>;
  const forest = buildForest(links);
  return (
    <div className="tree" role="group" aria-label={label}>
      <ul>
        {[...forest.entries()].map(([root, tops]) => (
          <li key={root}>
            <span className="tree-node tree-root">{root}</span>
            <Branch nodes={tops} highlight={highlight} />
          </li>
        ))}
      </ul>
    </div>
  );
}

import type { Actor } from '../audit/index.js';
import { configureConnection, type ConnectionSpec } from './connection.js';
import { ENGINE, SYSTEM, type DatabaseDeps } from './deps.js';
import { databaseLeaseEngine } from './engine.js';
import { issueCredentials, type CredentialRequest, type IssuedCredentials } from './issue.js';
import { defineRole, type RoleSpec } from './role.js';
import { rotateDueRoots, rotateRoot, type RotationStep } from './rotate-root.js';
import { allConnections, connectionByName, roleByName, rolesOf } from './store.js';
import { connectionView, roleView, type ConnectionView, type RoleView } from './view.js';
import { NotFoundError } from '../shared/errors.js';

/**
 * The database engine's API (Vault's database secrets engine): connections with a sealed,
 * rotatable root credential, roles with SQL templates, and credentials issued under leases.
 * Engines only create, renew and revoke: the lease manager does the rest.
 */
export class DatabaseEngine {
  constructor(private readonly deps: DatabaseDeps) {
    deps.leases.registerEngine(ENGINE, databaseLeaseEngine(deps));
  }

  async configure(spec: ConnectionSpec, actor: Actor): Promise<ConnectionView> {
    return connectionView(await configureConnection(this.deps, spec, actor));
  }

  async connections(): Promise<ConnectionView[]> {
    return (await allConnections(this.deps.store.db)).map(connectionView);
  }

  async connection(name: string): Promise<ConnectionView & { roles: RoleView[] }> {
    const row = await connectionByName(this.deps.store.db, name);
    if (!row) throw new NotFoundError('database connection', name);
    return { ...connectionView(row), roles: (await rolesOf(this.deps.store.db, name)).map(roleView) };
  }

  async defineRole(spec: RoleSpec, actor: Actor): Promise<RoleView> {
    return roleView(await defineRole(this.deps, spec, actor));
  }

  async role(connection: string, name: string): Promise<RoleView> {
    const row = await roleByName(this.deps.store.db, connection, name);
    if (!row) throw new NotFoundError('database role', `${connection}/${name}`);
    return roleView(row);
  }

  /** A role's classification for the decision point (`restricted` for an unknown role, so probing learns nothing). */
  async classification(connection: string, name: string): Promise<string> {
    return (await roleByName(this.deps.store.db, connection, name))?.classification ?? 'restricted';
  }

  issue(request: CredentialRequest, actor: Actor): Promise<IssuedCredentials> {
    return issueCredentials(this.deps, request, actor);
  }

  /** `stopAfter`: tests stop the rotation where a crash could (rotate-root.ts RotationStep). */
  rotateRoot(name: string, actor: Actor, stopAfter?: (step: RotationStep) => void): Promise<{ rotatedAt: string }> {
    return rotateRoot(this.deps, name, actor, stopAfter);
  }

  /** The `databases.root-rotation` job's run. */
  rotateDue(): Promise<string[]> {
    return rotateDueRoots(this.deps, SYSTEM);
  }

  close(): Promise<void> {
    return this.deps.targets.close();
  }
}

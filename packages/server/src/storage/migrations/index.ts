import type { Migrations } from '../migrate.js';
import { m000Meta } from './000-meta.js';

/** Storage's own migrations: the `meta` table (installation facts such as the master key check). */
export const storageMigrations: Migrations = {
  '000-meta': m000Meta,
};

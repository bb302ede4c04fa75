// The SOQL engine's Bulk compiler, behind one name so the query routes never care where it lives.
export { compileForBulk } from '../soql/api.ts';

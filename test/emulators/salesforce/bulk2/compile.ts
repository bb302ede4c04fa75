// The SOQL engine's Bulk compiler, behind one name so the query routes never care where it lives.
import type { CompileForBulk } from '../soql/api.ts';
import { interimCompileForBulk } from './interim-compile.ts';

export const compileForBulk: CompileForBulk = interimCompileForBulk;

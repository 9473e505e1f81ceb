/** time.now_ns: the evaluation's fixed clock (ctx.nowNs), the same value throughout one evaluation. */
import { numberFromBigInt } from '../value.js';
import { registerBuiltins } from './registry.js';

registerBuiltins([
  {
    name: 'time.now_ns',
    args: [],
    result: 'number',
    nondeterministic: true,
    impl: (_args, ctx) => numberFromBigInt(ctx.nowNs),
  },
]);

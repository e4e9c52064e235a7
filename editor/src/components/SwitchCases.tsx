import { editCases, newCase } from '../flow/edit.js';
import { fieldOf } from '../flow/issues.js';
import type { JsonValue, SwitchCase, SwitchNode, ValidationIssue } from '../flow/model.js';
import { caseBranch, DEFAULT_BRANCH } from '../flow/model.js';
import { flowStore } from '../store/flow-store.js';
import { ConditionBuilder } from './ConditionBuilder.js';

/**
 * A switch's ordered cases, each a label and a rule (the condition builder, or its JSON), with its own output on the
 * node. Issues of a case (`cases/<i>/...`) are shown under it.
 */
export function SwitchCases({
  node,
  newVar,
  issues,
}: {
  node: SwitchNode;
  newVar: string;
  issues: readonly ValidationIssue[];
}) {
  const change = (fn: (cases: SwitchCase[]) => SwitchCase[], key: string) =>
    flowStore.getState().change((d) => editCases(d, node.id, fn), `${node.id}/${key}`);
  const setCase = (i: number, patch: (c: SwitchCase) => SwitchCase, key: string) =>
    change((cases) => cases.map((c, j) => (j === i ? patch(c) : c)), `cases/${i}/${key}`);
  const move = (i: number, to: number) =>
    change((cases) => {
      const next = [...cases];
      const [c] = next.splice(i, 1);
      next.splice(to, 0, c!);
      return next;
    }, `move/${i}`);

  return (
    <div className="switch-cases">
      <p className="muted">
        Cases are tried in order: the first whose rule holds takes its output; when none does, the “{DEFAULT_BRANCH}”
        output is taken.
      </p>
      {node.cases.map((c, i) => {
        const branch = caseBranch(c, i);
        const own = issues.filter((x) => fieldOf(x.path) === `cases/${i}` || fieldOf(x.path).startsWith(`cases/${i}/`));
        return (
          <fieldset key={branch} className="switch-case" aria-label={`Case ${i + 1}`} data-case={branch}>
            <legend>
              Case {i + 1} <code>{branch}</code>
            </legend>
            <div className="field">
              <label htmlFor={`${node.id}-case-${i}-name`}>Label</label>
              <input
                id={`${node.id}-case-${i}-name`}
                value={c.name ?? ''}
                placeholder={branch}
                onChange={(e) => setCase(i, (x) => withName(x, e.target.value), 'name')}
              />
            </div>
            <ConditionBuilder
              rule={c.rule}
              newVar={newVar}
              onChange={(rule: JsonValue) => setCase(i, (x) => ({ ...x, rule }), 'rule')}
            />
            {own.map((x, k) => (
              <p key={k} role="alert" className="error">
                {x.message}
              </p>
            ))}
            <div className="row">
              <button type="button" disabled={i === 0} onClick={() => move(i, i - 1)}>
                Move up
              </button>
              <button
                type="button"
                className="danger"
                disabled={node.cases.length === 1}
                onClick={() => change((cases) => cases.filter((_, j) => j !== i), `remove/${i}`)}
              >
                Remove case
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => change((cases) => [...cases, newCase(cases, newVar)], 'add')}>
        Add case
      </button>
    </div>
  );
}

function withName(c: SwitchCase, name: string): SwitchCase {
  const { name: _old, ...rest } = c;
  return name ? { ...rest, name } : rest;
}

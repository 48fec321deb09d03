/**
 * Who may log in at the web terminal: the one thing it asks of the operator register (R15, R31).
 * The listener asks on every login and on every request of a session, so a revoked operator is
 * out at their next request; an implementation must answer cheaply (an indexed lookup).
 */
export type OperatorInfo = {
  readonly id: string;
  /** The operator's name as shown on the terminal (not identity data of residents). */
  readonly name: string;
  /** The card type (操作者識別カードの種別), e.g. `counter-clerk`; see docs/OPERATORS.md. */
  readonly cardType: string;
  /** The node the operator is registered at. */
  readonly node: string;
  readonly revoked: boolean;
};

export interface OperatorDirectory {
  find(id: string): Promise<OperatorInfo | undefined>;
}

/** A directory in memory (tests, demos): `revoke` takes effect at the next lookup. */
export class InMemoryOperatorDirectory implements OperatorDirectory {
  readonly #operators = new Map<string, OperatorInfo>();

  constructor(operators: readonly OperatorInfo[] = []) {
    for (const o of operators) this.#operators.set(o.id, o);
  }

  add(operator: OperatorInfo): void {
    this.#operators.set(operator.id, operator);
  }

  revoke(id: string): void {
    const o = this.#operators.get(id);
    if (o) this.#operators.set(id, { ...o, revoked: true });
  }

  find(id: string): Promise<OperatorInfo | undefined> {
    return Promise.resolve(this.#operators.get(id));
  }
}

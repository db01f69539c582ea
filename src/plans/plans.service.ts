import type { Clock } from '../clock/clock.js';
import type { Database } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Plan } from './plans.model.js';
import * as repo from './plans.repo.js';
import { validatePlanDraft, type PlanDraftInput } from './plans.rules.js';

export class PlanService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  list(options: { includeArchived: boolean }): Promise<Plan[]> {
    return repo.listPlans(this.db, options);
  }

  async create(input: PlanDraftInput, actor: string): Promise<Plan> {
    const draft = validatePlanDraft(input);
    try {
      const plan = await this.db.transaction((tx) => repo.insertPlan(tx, draft));
      this.log.info({ planCode: plan.code, actor }, 'plan created');
      return plan;
    } catch (error) {
      if (isUniqueViolation(error, 'plans_code_unique')) {
        throw new ConflictError(`A plan with code "${draft.code}" already exists; plan codes are never reused`);
      }
      throw error;
    }
  }

  /** Archiving is idempotent: an archived plan answers as it is. Subscribers keep their plan. */
  async archive(code: string, actor: string): Promise<Plan> {
    const normalized = code.trim().toLowerCase();
    const archived = await repo.archivePlanByCode(this.db, normalized, this.clock.now());
    if (archived) this.log.info({ planCode: normalized, actor }, 'plan archived');
    const plan = await repo.findPlanByCode(this.db, normalized);
    if (!plan) throw new NotFoundError(`Plan "${code}"`);
    return plan;
  }
}

import { BaseSequencer } from 'vitest/node'
import type { TestSpecification } from 'vitest/node'

/** Scenario files in the order of their names (a, b, c, d), whatever the last run's timings were. */
export default class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((x, y) => x.moduleId.localeCompare(y.moduleId))
  }
}

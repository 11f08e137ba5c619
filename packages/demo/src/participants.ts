/** Participants and their agents (nodes), shaped like Dallinger's JSON. */
export interface Participant {
  id: number
  worker_id: string
  hit_id: string
  assignment_id: string
  mode: string
  status: 'working'
  creation_time: string
}

export interface AgentNode {
  id: number
  participant_id: number
  network_id: number
  type: 'Agent'
  failed: false
  creation_time: string
}

export class ParticipantStore {
  private readonly participants = new Map<number, Participant>()
  private readonly nodes = new Map<number, AgentNode>()

  /** A new participant on every call, so each tab is its own participant. */
  create(ids: Partial<Pick<Participant, 'worker_id' | 'hit_id' | 'assignment_id' | 'mode'>> = {}): Participant {
    const id = this.participants.size + 1
    const participant: Participant = {
      id,
      worker_id: ids.worker_id ?? `worker_${id}`,
      hit_id: ids.hit_id ?? 'demo_hit',
      assignment_id: ids.assignment_id ?? `assignment_${id}`,
      mode: ids.mode ?? 'debug',
      status: 'working',
      creation_time: new Date().toISOString(),
    }
    this.participants.set(id, participant)
    return participant
  }

  get(id: number): Participant | undefined {
    return this.participants.get(id)
  }

  /** The participant's agent, created on the first call; undefined for an unknown participant. */
  createNode(participantId: number): AgentNode | undefined {
    if (!this.participants.has(participantId)) return undefined
    const existing = this.nodes.get(participantId)
    if (existing) return existing
    const node: AgentNode = {
      id: this.nodes.size + 1,
      participant_id: participantId,
      network_id: 1,
      type: 'Agent',
      failed: false,
      creation_time: new Date().toISOString(),
    }
    this.nodes.set(participantId, node)
    return node
  }
}

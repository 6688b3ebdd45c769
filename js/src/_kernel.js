// Requests from a widget view to the kernel: each carries an id (`rid`), and the kernel's answer
// with that id goes to the request's callback. Messages, never synced traits: nothing of them is
// saved with the notebook.
export function kernelRequests(model) {
  let seq = 0;
  const pending = new Map(); // rid -> callback for the kernel's answer
  return {
    send(msg, onReply) {
      const rid = `${Date.now().toString(36)}-${seq++}`;
      if (onReply) pending.set(rid, onReply);
      model.send({ ...msg, rid });
      return rid;
    },
    // Hands an answer to its request's callback; false if `msg` answers no pending request.
    answer(msg) {
      const reply = msg.rid && pending.get(msg.rid);
      if (!reply) return false;
      pending.delete(msg.rid);
      reply(msg);
      return true;
    },
  };
}

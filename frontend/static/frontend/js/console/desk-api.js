// The desk's HTTP calls (docs/protocol.md, HTTP: /api/v1/desk/...), with the
// counselor's own token. Notes and earlier conversations are staff-only and never
// travel over the socket, so nothing here can reach the youth's page.

let session = null;

/** Given once by main.js: the signed-in staff session (api.js Session). */
export function useSession(staffSession) {
  session = staffSession;
}

function call(path, options) {
  if (!session) return Promise.reject(new Error("no session"));
  return session.fetch(path, options);
}

export const deskApi = {
  replies: () => call("/desk/replies"),
  saveReply: (reply) => call("/desk/replies", { method: "POST", body: reply }),
  editReply: (reply) => call("/desk/replies", { method: "PUT", body: reply }),
  deleteReply: (id) => call("/desk/replies", { method: "DELETE", body: { id } }),
  notes: (conversation) => call("/desk/notes/read", { method: "POST", body: { conversation } }),
  addNote: (conversation, text) => call("/desk/notes", { method: "POST", body: { conversation, text } }),
  earlier: (conversation) => call("/desk/earlier", { method: "POST", body: { conversation } }),
};

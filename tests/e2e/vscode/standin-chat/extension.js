// A stand-in for Copilot Chat in the end-to-end test (no account needed):
// a language model (vscode.lm.registerLanguageModelChatProvider) and a chat
// participant, @standin. Asked "block", it answers with a fixed code block
// (the chat view renders it with its Insert at Cursor button); asked "edit",
// ("two": two changes) it edits app.py through the chat response stream's textEdit (proposed API
// chatParticipantAdditions, as Copilot's agent does), which VS Code applies
// in a chat editing session that the user keeps or undoes. A second
// participant, the default for the editor (proposed defaultChatParticipant),
// answers inline chat (Ctrl+I) by inserting INLINE at the cursor.
const fs = require("fs");
const vscode = require("vscode");

function note(entry) {
  if (process.env.STANDIN_LOG) fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(entry) + "\n");
}

// Keep in step with tests/e2e/test_vscode_chat.py.
const BLOCK = "def discount(price, pct):\n    return price * (1 - pct / 100)  # 🙂 chat";
const EDIT = "\ndef tax(price, rate):\n    return price * rate  # ü agent\n";
const HEADER = "# header by the agent\n";
const INLINE = "def vat(price):\n    return price * 0.2  # inline\n";

exports.activate = function activate(context) {
  note({ activated: "standin-chat" });
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument((d) => note({ opened: d.uri.toString() })));
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider("copilot", {
    provideLanguageModelChatInformation() {
      return [{ id: "stand-in-chat", name: "Stand-in Chat", family: "stand-in", version: "1", maxInputTokens: 8000, maxOutputTokens: 1000, capabilities: {}, isDefault: true, isUserSelectable: true }];
    },
    async provideLanguageModelChatResponse(model, messages, options, progress) {
      progress.report(new vscode.LanguageModelTextPart("stand-in answer"));
    },
    async provideTokenCount(model, text) {
      return typeof text === "string" ? text.length : 1;
    },
  }));
  const participant = vscode.chat.createChatParticipant("ailedger-tests.standin", async (request, chatContext, stream) => {
    note({ request: request.prompt, model: request.model && request.model.id });
    if (request.prompt.includes("two")) {
      // Two changes in one edit: a header at the top and EDIT at the end.
      const [folder] = vscode.workspace.workspaceFolders || [];
      const uri = vscode.Uri.joinPath(folder.uri, "app.py");
      const document = await vscode.workspace.openTextDocument(uri);
      const end = document.lineAt(document.lineCount - 1).range.end;
      stream.markdown("Adding a header and tax().");
      stream.textEdit(uri, [vscode.TextEdit.insert(new vscode.Position(0, 0), HEADER), vscode.TextEdit.insert(end, EDIT)]);
      stream.textEdit(uri, true);
      return {};
    }
    if (request.prompt.includes("edit")) {
      const [folder] = vscode.workspace.workspaceFolders || [];
      const uri = vscode.Uri.joinPath(folder.uri, "app.py");
      const document = await vscode.workspace.openTextDocument(uri);
      const end = document.lineAt(document.lineCount - 1).range.end;
      stream.markdown("Adding tax().");
      stream.textEdit(uri, [vscode.TextEdit.insert(end, EDIT)]);
      stream.textEdit(uri, true);
      return {};
    }
    stream.markdown("Here it is:\n\n```python\n" + BLOCK + "\n```\n");
    return {};
  });
  context.subscriptions.push(participant);
  // Inline chat (Ctrl+I in the editor) asks the default participant for the editor location.
  context.subscriptions.push(vscode.chat.createChatParticipant("ailedger-tests.standin-inline", async (request, chatContext, stream) => {
    note({ inline: request.prompt });
    const editor = vscode.window.activeTextEditor;
    const uri = editor.document.uri;
    stream.textEdit(uri, [vscode.TextEdit.insert(editor.selection.active, INLINE)]);
    stream.textEdit(uri, true);
    return {};
  }));
};

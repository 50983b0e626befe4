// A stand-in AI provider for the end-to-end test: when the text before the
// cursor ends with a trigger, offer the matching suggestion as ghost text.
const fs = require("fs");
const vscode = require("vscode");

// Each ask, for the test's failure report.
function note(entry) {
  if (process.env.STANDIN_LOG) fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(entry) + "\n");
}

// Keep in step with tests/e2e/test_vscode.py.
const SUGGESTIONS = [
  ["def discount", "(price, pct):\n    return price * (1 - pct / 100)  # 🙂 ü"],
];

exports.activate = function activate(context) {
  note({ activated: true });
  context.subscriptions.push(vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, {
    provideInlineCompletionItems(document, position) {
      const before = document.lineAt(position.line).text.slice(0, position.character);
      note({ line: position.line, character: position.character, before });
      for (const [trigger, text] of SUGGESTIONS) {
        if (before.endsWith(trigger)) {
          return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
        }
      }
      return [];
    },
  }));
};

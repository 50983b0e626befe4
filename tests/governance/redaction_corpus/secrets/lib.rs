// FAKE credentials for the redaction corpus.
const SLACK_TOKEN: &str = "xoxp-282145197211-135437959624-6788340852313-278bd0bfa3c5670424a222e4d4078543";

fn client() -> Client {
    let secret_key = "K33p5cAWqdhDQuTtSAGDrM4NIlt5zejHtCCi0QmT";
    Client::new("AKIAFAKECQT8JKSZPRFK", secret_key)
}

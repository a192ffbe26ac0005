// Reads a JSON list of Adaptive Cards on stdin; prints, for each, the messages of the
// `adaptivecards` npm package (the library Microsoft's clients render cards with): what
// parsing reported (unknown element or action types, invalid property values) and what
// `validateProperties()` found (missing required properties, duplicate ids...).
"use strict";
const AC = require("adaptivecards/dist/adaptivecards.js");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cards = JSON.parse(input);
  const out = cards.map((json) => {
    const messages = [];
    const context = new AC.SerializationContext();
    const card = new AC.AdaptiveCard();
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) {
      messages.push("parse: " + context.getEventAt(i).message);
    }
    const results = card.validateProperties();
    for (const event of results.validationEvents) { messages.push("validate: " + event.message); }
    if (json.version !== card.version.toString()) { messages.push("version: " + card.version); }
    return messages;
  });
  process.stdout.write(JSON.stringify(out));
});

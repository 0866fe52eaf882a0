"""UN/EDIFACT: tokenizer, envelopes, directory structures, CUSDEC mapping, CONTRL and CUSRES."""

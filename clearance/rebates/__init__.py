"""Export-rebate records (出口退税) and the batch files sent to the tax authority."""

"""Invoice flows between the project tool and the books.

Invoice bases from the project tool become customer invoice drafts
(plan → approve → apply, each created once, ever); their states and
numbers go back to the project tool as an import file; booked supplier
invoices with projects on their rows go back as project costs, each
once across overlapping periods.
"""

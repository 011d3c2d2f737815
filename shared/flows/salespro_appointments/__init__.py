"""SalesPro appointments (seed 001, items 4 and 5 of issue 12): the field-sales app asks for
the calling user's appointments; a configured SOQL query, with the user's values bound, reads
them from Salesforce and a field mapping turns them into SalesPro's fields."""

from shared.flow import Flow

FLOW = Flow(
    name="salespro_appointments",
    title="Salesforce appointments -> SalesPro (configured SOQL query and field mapping)",
    seed="001",
    sources=("salespro",),
    systems=("salesforce",),
    functions=("SalesproAppointmentsApiFunction",),
)

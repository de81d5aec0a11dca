# rule: hasChild reaches every component from the destination
# base: pathway.ttl
# profile: pathways
# expect: Violation ; ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 ; - ; ceasn:isChildOf ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE DATA { res:ce-9fe5f431-1aa8-4521-859c-38aeb856ea44 ceasn:hasChild res:ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 }

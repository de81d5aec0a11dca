# rule: the framework a competency names lists it
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ; - ; ceasn:isPartOf ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ceasn:isChildOf ?x } ; DELETE WHERE { res:ce-baddb634-fad6-4df0-907b-f15c611d70f8 ceasn:hasChild ?y }

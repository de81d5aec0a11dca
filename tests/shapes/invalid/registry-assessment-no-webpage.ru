# rule: an assessment needs a subject webpage
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-25372968-2733-4759-8d92-71898af9d559 ; - ; ceterms:subjectWebpage ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-25372968-2733-4759-8d92-71898af9d559 ceterms:subjectWebpage ?d }
